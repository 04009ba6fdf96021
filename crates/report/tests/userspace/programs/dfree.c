#include <stdlib.h>

int main(int argc, char **argv) {
	char *p = malloc(32 + argc);
	free(p);
	free(p);
	return 0;
}
