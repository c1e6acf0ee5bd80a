// sh: the shell. It reads a line, parses it into a tree of commands and
// runs the tree in a child process.
//
// Grammar:
//   line     := pipeline { '&' } [ ';' line ]
//   pipeline := command [ '|' pipeline ]
//   command  := '(' line ')' { redir } | { word | redir }
//   redir    := ( '<' | '>' ) word
//
// "cd DIR" alone on a line runs in the shell itself. The prompt "$ " goes
// to fd 2, as in xv6. Parse trees live in a static arena reset per line.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAXARGS 16
#define MAXNODES 64
#define LINESIZE 512

enum kind { EXEC, REDIR, PIPE, LIST, BACK };

struct cmd {
  enum kind kind;
  char *argv[MAXARGS+1];      // EXEC
  struct cmd *left, *right;   // REDIR/BACK: left; PIPE/LIST: both
  char *file;                 // REDIR
  int fd, mode;               // REDIR
};

static struct cmd nodes[MAXNODES];
static int nnodes;
static char words[LINESIZE*2];   // copies of the words, NUL-terminated
static int nwords;
static char *pos;                // parse position in the line
static char *parse_error;

static const char space[] = " \t\r\n\v";
static const char symbols[] = "<>|&;()";

static struct cmd*
node(enum kind kind)
{
  if(nnodes == MAXNODES){
    parse_error = "command too complex";
    return 0;
  }
  struct cmd *c = &nodes[nnodes++];
  memset(c, 0, sizeof(*c));
  c->kind = kind;
  return c;
}

static void
skipspace(void)
{
  while(*pos && strchr(space, *pos))
    pos++;
}

// peek reports whether the next token is one of the symbols in set.
static int
peek(const char *set)
{
  skipspace();
  return *pos && strchr(set, *pos);
}

// word copies the next word out of the line, or returns 0 if the next
// token is not a word.
static char*
word(void)
{
  skipspace();
  char *start = words + nwords;
  while(*pos && !strchr(space, *pos) && !strchr(symbols, *pos)){
    if(nwords + 1 >= sizeof(words))
      return 0;
    words[nwords++] = *pos++;
  }
  if(start == words + nwords)
    return 0;
  words[nwords++] = 0;
  return start;
}

static struct cmd *parse_line(void);

// parse_redirs wraps c in the redirections that follow it.
static struct cmd*
parse_redirs(struct cmd *c)
{
  while(c && peek("<>")){
    char op = *pos++;
    struct cmd *r = node(REDIR);
    if(r == 0)
      return 0;
    r->file = word();
    if(r->file == 0){
      parse_error = "missing file name after redirection";
      return 0;
    }
    r->left = c;
    r->fd = op == '<' ? 0 : 1;
    r->mode = op == '<' ? O_RDONLY : O_WRONLY|O_CREATE|O_TRUNC;
    c = r;
  }
  return c;
}

static struct cmd*
parse_command(void)
{
  if(peek("(")){
    pos++;
    struct cmd *c = parse_line();
    if(c == 0)
      return 0;
    if(!peek(")")){
      parse_error = "missing )";
      return 0;
    }
    pos++;
    return parse_redirs(c);
  }
  struct cmd *c = node(EXEC);
  struct cmd *top = c;
  int argc = 0;
  while(top && !peek("|&;)")){
    if(peek("<>")){
      top = parse_redirs(top);
      continue;
    }
    char *w = word();
    if(w == 0){
      if(*pos)
        parse_error = "unexpected symbol";
      break;
    }
    if(argc == MAXARGS){
      parse_error = "too many arguments";
      return 0;
    }
    c->argv[argc++] = w;
  }
  return parse_error ? 0 : top;
}

static struct cmd*
parse_pipeline(void)
{
  struct cmd *c = parse_command();
  if(c && peek("|")){
    pos++;
    struct cmd *p = node(PIPE);
    if(p == 0)
      return 0;
    p->left = c;
    p->right = parse_pipeline();
    c = p->right ? p : 0;
  }
  return c;
}

static struct cmd*
parse_line(void)
{
  struct cmd *c = parse_pipeline();
  while(c && peek("&")){
    pos++;
    struct cmd *b = node(BACK);
    if(b == 0)
      return 0;
    b->left = c;
    c = b;
  }
  if(c && peek(";")){
    pos++;
    skipspace();
    if(*pos == 0 || *pos == ')')
      return c;
    struct cmd *l = node(LIST);
    if(l == 0)
      return 0;
    l->left = c;
    l->right = parse_line();
    c = l->right ? l : 0;
  }
  return c;
}

static struct cmd*
parse(char *line)
{
  nnodes = 0;
  nwords = 0;
  pos = line;
  parse_error = 0;
  struct cmd *c = parse_line();
  if(c && peek(")"))
    parse_error = "unexpected )";
  else if(c && *pos)
    parse_error = "syntax error";
  if(c == 0 && parse_error == 0)
    parse_error = "syntax error";
  return parse_error ? 0 : c;
}

static void __attribute__((noreturn))
fail(const char *msg)
{
  fprintf(2, "sh: %s\n", msg);
  exit(1);
}

static int
fork_or_die(void)
{
  int pid = fork();
  if(pid < 0)
    fail("fork failed");
  return pid;
}

// run executes c in the calling (child) process; it never returns. The
// last step of each kind of command replaces c and goes around again, so
// only the forked children start fresh calls.
static void __attribute__((noreturn))
run(struct cmd *c)
{
  int p[2];
  for(;;){
    switch(c->kind){
    case EXEC:
      if(c->argv[0] == 0)
        exit(0);
      exec(c->argv[0], c->argv);
      fprintf(2, "exec %s failed\n", c->argv[0]);
      exit(1);
    case REDIR:
      close(c->fd);
      if(open(c->file, c->mode) != c->fd){
        fprintf(2, "sh: cannot open %s\n", c->file);
        exit(1);
      }
      c = c->left;
      break;
    case LIST:
      if(fork_or_die() == 0)
        run(c->left);
      wait(0);
      c = c->right;
      break;
    case PIPE:
      if(pipe(p) < 0)
        fail("pipe failed");
      if(fork_or_die() == 0){
        close(1);
        dup(p[1]);
        close(p[0]);
        close(p[1]);
        run(c->left);
      }
      if(fork_or_die() == 0){
        close(0);
        dup(p[0]);
        close(p[0]);
        close(p[1]);
        run(c->right);
      }
      close(p[0]);
      close(p[1]);
      wait(0);
      wait(0);
      exit(0);
    case BACK:
      // The grandchild runs on; init reaps it when it ends.
      if(fork_or_die() == 0)
        run(c->left);
      exit(0);
    default:
      fail("bad command");
    }
  }
}

// builtin_cd handles a line that is just "cd [DIR]" in the shell itself,
// since a child's chdir would not affect the shell.
static int
builtin_cd(struct cmd *c)
{
  if(c->kind != EXEC || c->argv[0] == 0 || strcmp(c->argv[0], "cd") != 0)
    return 0;
  char *dir = c->argv[1] ? c->argv[1] : "/";
  if(chdir(dir) < 0)
    fprintf(2, "cannot cd %s\n", dir);
  return 1;
}

int
main(void)
{
  static char line[LINESIZE];
  int fd;

  // Make sure fds 0, 1 and 2 are open on the console.
  while((fd = open("console", O_RDWR)) >= 0){
    if(fd >= 3){
      close(fd);
      break;
    }
  }

  for(;;){
    write(2, "$ ", 2);
    memset(line, 0, sizeof(line));
    gets(line, sizeof(line));
    if(line[0] == 0)
      exit(0);   // end of input
    struct cmd *c = parse(line);
    if(c == 0){
      fprintf(2, "sh: %s\n", parse_error);
      continue;
    }
    if(c->kind == EXEC && c->argv[0] == 0)
      continue;  // empty line
    if(builtin_cd(c))
      continue;
    int pid = fork();
    if(pid < 0){
      fprintf(2, "sh: fork failed\n");
      continue;
    }
    if(pid == 0)
      run(c);
    wait(0);
  }
}
