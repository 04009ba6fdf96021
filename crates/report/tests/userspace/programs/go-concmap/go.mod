module example.com/concmap

go 1.19
