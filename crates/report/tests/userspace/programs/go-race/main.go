package main

import (
	"fmt"
	"sync"
)

var hits int

func record(wg *sync.WaitGroup) {
	defer wg.Done()
	hits++
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go record(&wg)
	}
	wg.Wait()
	fmt.Println(hits)
}
