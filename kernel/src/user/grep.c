// grep: print the lines that match a pattern, from the named files or the
// standard input.
//
// Patterns: a character matches itself, '.' any character, 'x*' zero or
// more x's, '^' at the start anchors to the line start and '$' at the end
// to the line end. Matching is the classic backtracking recursion.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static int match_here(const char *re, const char *text);

// match_star matches c* followed by re: try zero c's, then one more each time.
static int
match_star(char c, const char *re, const char *text)
{
  for(;;){
    if(match_here(re, text))
      return 1;
    if(*text == 0 || (*text != c && c != '.'))
      return 0;
    text++;
  }
}

static int
match_here(const char *re, const char *text)
{
  if(re[0] == 0)
    return 1;
  if(re[1] == '*')
    return match_star(re[0], re + 2, text);
  if(re[0] == '$' && re[1] == 0)
    return *text == 0;
  if(*text && (re[0] == '.' || re[0] == *text))
    return match_here(re + 1, text + 1);
  return 0;
}

static int
match(const char *re, const char *text)
{
  if(re[0] == '^')
    return match_here(re + 1, text);
  do {
    if(match_here(re, text))
      return 1;
  } while(*text++);
  return 0;
}

static char buf[1024];

// grep scans fd line by line; a line longer than the buffer is matched in
// buffer-sized pieces.
static void
grep(const char *re, int fd)
{
  int have = 0, n;
  while((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0){
    have += n;
    buf[have] = 0;
    char *line = buf, *nl;
    while((nl = strchr(line, '\n')) != 0){
      *nl = 0;
      if(match(re, line)){
        *nl = '\n';
        write(1, line, nl + 1 - line);
      }
      line = nl + 1;
    }
    have -= line - buf;
    if(have == sizeof(buf) - 1){
      // No newline in a full buffer: treat it as one line.
      if(match(re, buf)){
        write(1, buf, have);
        write(1, "\n", 1);
      }
      have = 0;
    } else {
      memmove(buf, line, have);
    }
  }
  if(have > 0){
    buf[have] = 0;
    if(match(re, buf)){
      write(1, buf, have);
      write(1, "\n", 1);
    }
  }
}

int
main(int argc, char *argv[])
{
  if(argc <= 1){
    fprintf(2, "usage: grep pattern [file ...]\n");
    exit(1);
  }
  if(argc == 2){
    grep(argv[1], 0);
    exit(0);
  }
  for(int i = 2; i < argc; i++){
    int fd = open(argv[i], O_RDONLY);
    if(fd < 0){
      fprintf(2, "grep: cannot open %s\n", argv[i]);
      exit(1);
    }
    grep(argv[1], fd);
    close(fd);
  }
  exit(0);
}
