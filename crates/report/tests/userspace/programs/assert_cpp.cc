#include <cassert>
#include <cstdio>

namespace store {
struct Index {
	int slots = 4;
	int lookup(int key) {
		assert(key < slots && "key out of range");
		return key;
	}
};
}

int main(int argc, char **argv) {
	store::Index ix;
	std::printf("%d\n", ix.lookup(argc + 7));
	return 0;
}
