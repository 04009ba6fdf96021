#include <stdlib.h>
#include <string.h>

char *make_name(const char *s) {
	char *p = malloc(strlen(s) + 1);
	strcpy(p, s);
	return p;
}

int main(void) {
	char *n = make_name("leaky");
	n = NULL;
	return 0;
}
