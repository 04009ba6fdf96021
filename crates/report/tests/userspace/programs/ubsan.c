#include <limits.h>
#include <stdio.h>

__attribute__((noinline)) int scale(int x, int k) {
	return x * k;
}

int main(int argc, char **argv) {
	printf("%d\n", scale(INT_MAX / 2 + argc, 2));
	return 0;
}
