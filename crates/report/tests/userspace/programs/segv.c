#include <stdio.h>
#include <stdlib.h>

struct node { struct node *next; int val; };

__attribute__((noinline)) int sum_list(struct node *n) {
	int s = 0;
	for (; n; n = n->next) s += n->val;
	return s;
}

int main(int argc, char **argv) {
	struct node *bad = (struct node *)(long)(argc - 1);
	bad = bad ? bad : (struct node *)0x10;
	printf("%d\n", sum_list(bad));
	return 0;
}
