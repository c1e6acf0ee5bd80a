// broken: does not compile (a test of the error message).
#include "kernel/types.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  no_such_function(1)
  exit(0);
}
