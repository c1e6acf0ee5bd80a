package script

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionTypesOneCommandPerPrompt(t *testing.T) {
	s := New([]string{"ls", "echo hi"}, "")
	console := []byte("xv6 kernel is booting\n")
	in, done := s.Step(console)
	assert.Equal(t, "", in)
	assert.False(t, done)
	assert.Equal(t, `the first shell prompt "$ "`, s.Waiting())

	console = append(console, "init: starting sh\n$ "...)
	in, done = s.Step(console)
	assert.Equal(t, "ls\n", in)
	assert.False(t, done)
	assert.Equal(t, 1, s.Typed())
	assert.Equal(t, `the shell prompt after "ls"`, s.Waiting())

	// Nothing new: nothing to type, and the old prompt does not count again.
	in, done = s.Step(console)
	assert.Equal(t, "", in)
	assert.False(t, done)

	console = append(console, "ls\n.   1 1 1024\n$ "...)
	in, _ = s.Step(console)
	assert.Equal(t, "echo hi\n", in)

	console = append(console, "echo hi\nhi\n$ "...)
	in, done = s.Step(console)
	assert.Equal(t, "", in)
	assert.True(t, done)
	assert.True(t, s.Done())
	in, done = s.Step(append(console, "more"...))
	assert.Equal(t, "", in)
	assert.True(t, done)
}

func TestSessionFindsPromptSplitAcrossSteps(t *testing.T) {
	s := New([]string{"ls"}, "")
	in, _ := s.Step([]byte("boot\n$"))
	require.Equal(t, "", in)
	in, _ = s.Step([]byte("boot\n$ "))
	assert.Equal(t, "ls\n", in)
}

func TestSessionPromptInsideOutputCountsAsGradelibDoes(t *testing.T) {
	// gradelib types the next command as soon as "$ " appears anywhere in
	// new output, and forgets everything before it.
	s := New([]string{"a", "b"}, "")
	in, _ := s.Step([]byte("$ $ $ "))
	assert.Equal(t, "a\n", in, "several prompts in one chunk type one command")
	in, _ = s.Step([]byte("$ $ $ a\ncost $ 5\n"))
	assert.Equal(t, "b\n", in)
}

func TestSessionCustomPrompt(t *testing.T) {
	s := New([]string{"x"}, "> ")
	in, _ := s.Step([]byte("$ "))
	assert.Equal(t, "", in)
	in, _ = s.Step([]byte("$ > "))
	assert.Equal(t, "x\n", in)
}

func TestSessionWithNoCommandsEndsAtFirstPrompt(t *testing.T) {
	s := New(nil, "")
	_, done := s.Step([]byte("$ "))
	assert.True(t, done)
	assert.Equal(t, "nothing (the session is over)", s.Waiting())
}

// Feeding the same output in chunks of any size types the same commands
// after the same bytes as Step on the growing console, and the session
// keeps no more than a prompt's length of it.
func TestFeedMatchesStepWhateverTheChunks(t *testing.T) {
	console := []byte("boot\n$ ls\n$$ x $\n$ $  >$ \n$ echo\n$$$ ")
	commands := []string{"a", "b", "c", "d"}
	type typedAt struct {
		at int
		in string
	}
	byStep := func() []typedAt {
		s := New(commands, "")
		var got []typedAt
		for n := 1; n <= len(console); n++ {
			if in, _ := s.Step(console[:n]); in != "" {
				got = append(got, typedAt{n, in})
			}
		}
		return got
	}()
	require.NotEmpty(t, byStep)
	for chunk := 1; chunk <= 4; chunk++ {
		s := New(commands, "")
		var got []typedAt
		for off := 0; off < len(console); off += chunk {
			end := min(off+chunk, len(console))
			if in, _ := s.Feed(console[off:end]); in != "" {
				got = append(got, typedAt{end, in})
			}
			assert.LessOrEqual(t, len(s.carry), len(s.prompt)-1)
		}
		if chunk == 1 {
			assert.Equal(t, byStep, got)
		} else {
			// Bigger chunks may type a command later (at the end of the
			// chunk holding the prompt), never earlier or differently.
			require.Equal(t, len(byStep), len(got), "chunk %d", chunk)
			for i := range got {
				assert.Equal(t, byStep[i].in, got[i].in)
				assert.GreaterOrEqual(t, got[i].at, byStep[i].at)
			}
		}
	}
}

func TestFeedLongPromptSplitThreeWays(t *testing.T) {
	s := New([]string{"go"}, "xv6> ")
	for _, p := range []string{"junk x", "v", "6", ">", " "} {
		in, _ := s.Feed([]byte(p))
		if p == " " {
			assert.Equal(t, "go\n", in)
		} else {
			assert.Equal(t, "", in, "after %q", p)
		}
	}
}
