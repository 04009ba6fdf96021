package main

import "fmt"

func First[T any](xs []T) T {
	return xs[0]
}

func main() {
	var none []string
	fmt.Println(First(none))
}
