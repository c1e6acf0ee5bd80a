package compare

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium finds Debian's chromium (or another Chrome), or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium installed (Debian: apt-get install chromium); the page is still checked by TestHTMLHoldsTheTables")
	return ""
}

// headless runs the browser on file with extra flags and returns stdout.
func headless(t *testing.T, browser, file string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + t.TempDir()}, flags...)
	args = append(args, "file://"+file)
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, browser, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "%s: %s", browser, stderr.String())
	return stdout.Bytes()
}

// The page, loaded in a real browser, holds the text output's tables cell
// for cell, and renders with its style (the differing row is tinted).
func TestHTMLInBrowser(t *testing.T) {
	browser := chromium(t)
	bad := "TEST1 PASSED\nTEST2 FAILED: arguments arrived as 2 1\n"
	res := compareFakes(t, fake("a", allPass, "result: 1\n"), fake("b", bad, "result: 7\n"))
	dir := t.TempDir()
	page := filepath.Join(dir, "compare.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, res.WriteHTML(f))
	require.NoError(t, f.Close())

	dom := headless(t, browser, page, "--dump-dom")
	tables := htmlTables(t, dom)
	require.Len(t, tables, 3, "%s", dom)
	for i, want := range res.Tables() {
		assert.Equal(t, append([][]string{want.Header}, want.Rows...), tables[i], "table %d", i)
	}

	shot := filepath.Join(dir, "shot.png")
	headless(t, browser, page, "--screenshot="+shot, "--window-size=1400,1000", "--hide-scrollbars")
	data, err := os.ReadFile(shot)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	tinted := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xfd && g>>8 == 0xe8 && b>>8 == 0xe8 {
				tinted++
			}
		}
	}
	assert.Greater(t, tinted, 1000, "the differing rows' background is drawn")
}
