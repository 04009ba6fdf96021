module example.com/index

go 1.19
