// The console device (major CONSOLE): line-buffered input from the UART
// with simple editing, and output to the UART.
//
// Input keys: Backspace/Delete erase a character, ^U erases the line,
// ^D ends input (read returns what is buffered, or 0 at line start),
// ^P lists processes.
//
// cons.lock protects the input buffer and its indexes.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "file.h"
#include "arch.h"
#include "proc.h"
#include "defs.h"

#define BACKSPACE 0x100
#define CTRL(x)   ((x) - '@')

#define INPUT_BUF_SIZE 128

static struct {
  struct spinlock lock;
  char buf[INPUT_BUF_SIZE];
  uint r;   // next byte read() takes
  uint w;   // end of the lines handed to read()
  uint e;   // end of the line being edited
} cons;

// Put c on the screen right now, without sleeping: for printf and echo.
void
consputc(int c)
{
  if(c == BACKSPACE){
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

// Write n bytes from src, copied in a few at a time. Returns the bytes
// written, which stop early at a bad address.
static int
consolewrite(int user_src, uint64 src, int n)
{
  char buf[32];
  int i = 0;

  while(i < n){
    int m = n - i < sizeof(buf) ? n - i : sizeof(buf);
    if(either_copyin(buf, user_src, src + i, m) == -1)
      break;
    for(int j = 0; j < m; j++)
      uartputc(buf[j]);
    i += m;
  }
  return i;
}

// Copy up to n bytes of completed input lines to dst. Stops after a
// newline, and returns early on ^D.
static int
consoleread(int user_dst, uint64 dst, int n)
{
  int want = n;

  acquire(&cons.lock);
  while(n > 0){
    while(cons.r == cons.w){
      if(killed(myproc())){
        release(&cons.lock);
        return -1;
      }
      sleep(&cons.r, &cons.lock);
    }

    int c = cons.buf[cons.r++ % INPUT_BUF_SIZE];
    if(c == CTRL('D')){
      // Leave ^D for the next read when it follows some bytes, so that
      // read sees 0 then.
      if(n < want)
        cons.r--;
      break;
    }

    char cbuf = c;
    if(either_copyout(user_dst, dst, &cbuf, 1) == -1)
      break;
    dst++;
    n--;
    if(c == '\n')
      break;
  }
  release(&cons.lock);
  return want - n;
}

// The UART saw character c arrive.
void
consoleintr(int c)
{
  acquire(&cons.lock);

  switch(c){
  case CTRL('P'):
    procdump();
    break;
  case CTRL('U'):
    while(cons.e != cons.w && cons.buf[(cons.e-1) % INPUT_BUF_SIZE] != '\n'){
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if(cons.e != cons.w){
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if(c != 0 && cons.e - cons.r < INPUT_BUF_SIZE){
      if(c == '\r')
        c = '\n';
      consputc(c);
      cons.buf[cons.e++ % INPUT_BUF_SIZE] = c;
      // A full line, ^D or a full buffer wakes the reader.
      if(c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF_SIZE){
        cons.w = cons.e;
        wakeup(&cons.r);
      }
    }
    break;
  }

  release(&cons.lock);
}

void
consoleinit(void)
{
  initlock(&cons.lock, "cons");
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}
