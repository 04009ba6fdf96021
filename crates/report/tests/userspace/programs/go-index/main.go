package main

import (
	"fmt"
	"os"
)

func lookup(table []int, i int) int {
	return table[i]
}

func main() {
	fmt.Println(lookup([]int{1, 2, 3}, len(os.Args)+4))
}
