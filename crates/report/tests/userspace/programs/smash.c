#include <stdio.h>
#include <string.h>

__attribute__((noinline)) void copy_name(const char *src) {
	char buf[8];
	strcpy(buf, src);
	printf("%s\n", buf);
}

int main(int argc, char **argv) {
	copy_name("this name is far too long for the buffer");
	return 0;
}
