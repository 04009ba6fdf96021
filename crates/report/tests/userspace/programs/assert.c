#include <assert.h>
#include <stdio.h>

static int check_len(int len) {
	assert(len < 10);
	return len;
}

int main(int argc, char **argv) {
	printf("%d\n", check_len(argc + 12));
	return 0;
}
