package main

import "fmt"

type Conn struct{ addr string }

func (c *Conn) Addr() string { return c.addr }

func dial(ok bool) *Conn {
	if ok {
		return &Conn{"x"}
	}
	return nil
}

func main() {
	fmt.Println(dial(false).Addr())
}
