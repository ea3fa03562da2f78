#include "greet.h"

int multiply(int a, int b)
{
	int sum = 0;

	for (int i = 0; i < b; i++)
		sum += a;
	return sum;
}
