#include <stdio.h>

#include "greet.h"

int main(int argc, char **argv)
{
	greet(argc > 1 ? argv[1] : "world");
	printf("6 * 7 = %d\n", multiply(6, 7));
	return 0;
}
