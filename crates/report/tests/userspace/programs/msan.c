#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int pick(int *v, int n) {
	if (v[n])
		return 1;
	return 0;
}

int main(int argc, char **argv) {
	int *v = malloc(4 * sizeof(int));
	v[0] = argc;
	printf("%d\n", pick(v, 2));
	return 0;
}
