/* greet.h: the two functions of the example project. */
#ifndef GREET_H
#define GREET_H

#define GREETING "Hello from a build under liboverlay"

/* Print GREETING followed by who. */
void greet(const char *who);

/* a * b, computed the long way so there is something to compile. */
int multiply(int a, int b);

#endif
