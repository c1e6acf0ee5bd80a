// A threadtest that numbers its cases with a format, written for xv6emu's
// tests: the cases are functions test1..test8.
#include "kernel/types.h"
#include "user/user.h"

int test1(void) { return 0; }
int test2(void) { return 0; }
int test3(void) { return 0; }
int test4(void) { return 0; }
int test5(void) { return 0; }
int test6(void) { return 0; }
int test7(void) { return 0; }
int test8(void) { return 0; }

int (*cases[])(void) = { 0, test1, test2, test3, test4, test5, test6, test7, test8 };

int
main(void)
{
  char *s = "a string with a \" quote and // no comment";
  for(int i = 1; i <= 8; i++)
    if(cases[i]() == 0)
      printf("TEST%d PASSED\n", i);
  printf("%s\n", s);
  exit(0);
}
