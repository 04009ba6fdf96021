#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct header { int len; char name[12]; };

static int parse_header(struct header *h) {
	return h->len;
}

int main(int argc, char **argv) {
	struct header *h = malloc(sizeof *h);
	h->len = argc;
	strcpy(h->name, "x");
	free(h);
	printf("%d\n", parse_header(h));
	return 0;
}
