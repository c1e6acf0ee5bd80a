package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Table is a rendered table: a header and rows of cells, shared by the
// text, markdown and HTML writers so they all show the same figures.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	Note   string
}

// CaseTable is the first table: one row per case.
func (r *Result) CaseTable() Table {
	a, b := string(r.Arches[0]), string(r.Arches[1])
	t := Table{
		Title: "Cases",
		Header: []string{"case", a, b,
			a + " insns", a + " guest s", b + " insns", b + " guest s", "differs"},
		Note: "instructions and guest time of each run (summed over seeds); indented cases check the run above them",
	}
	for _, row := range r.Rows {
		name := row.Case
		if row.Parent != "" {
			name = "  " + name
		}
		mark := ""
		if row.Differs {
			mark = "DIFFERS (" + row.Why + ")"
		}
		cells := []string{name, row.Cells[0].Verdict, row.Cells[1].Verdict, "", "", "", "", mark}
		if row.Parent == "" { // a child checks its parent's run: the figures are the parent's
			cells[3], cells[4] = count(row.Cells[0].Insns), secs(row.Cells[0].Guest)
			cells[5], cells[6] = count(row.Cells[1].Insns), secs(row.Cells[1].Guest)
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

// MeasuredTable is the second table: what the emulator counted in each
// top-level case's runs, per architecture.
func (r *Result) MeasuredTable() Table {
	t := Table{
		Title:  "Measured by the emulator",
		Header: []string{"case", "arch", "cpus", "instructions", "thread switches", "syscalls", "page faults", "pt root writes", "atomics", "lock hand-overs", "skipped (wait/spin) s"},
		Note: "thread switches: entries to user mode as another thread than the processor's previous one (RISC-V: another satp or trapframe (sscratch); x86: another kernel stack at the iret); " +
			"pt root writes: satp on RISC-V (the trampoline writes it on every trap into and out of user space), CR3 on x86 (switchuvm/switchkvm at process switches); " +
			"lock hand-overs: waits in a spin loop the emulator stopped (one that changes nothing) that ended with the waiter going on in the same mode and thread: another processor's store let it through. " +
			"Kernel spinlocks wait so; a user lock only if its loop changes nothing (uspin_acquire), not the lab's ticket lock, whose loop counts its spins; " +
			"skipped: guest time, per processor summed, in which no instruction ran because the processor waited or spun and the run loop skipped ahead",
	}
	for _, m := range r.Measured {
		if !m.Known {
			t.Rows = append(t.Rows, []string{m.Case, m.Arch, "-", "-", "-", "-", "-", "-", "-", "-", "-"})
			continue
		}
		s := m.Stats
		t.Rows = append(t.Rows, []string{m.Case, m.Arch, fmt.Sprint(s.CPUs), count(s.Insns), count(s.Switches),
			count(s.Syscalls), count(s.PageFaults), count(s.ASwitches), atomics(s.Atomics),
			fmt.Sprintf("kernel %d, user %d", s.HandOvers.Kernel, s.HandOvers.User), secs(s.SkippedSeconds())})
	}
	return t
}

// threadStartsShown bounds the thread starts listed per case and arch.
const threadStartsShown = 4

// EntryTable is the third table: how threads start on each architecture,
// from the processors' first user entries with the lab's fake return
// address: where the trapframe is, the entry pc and sp, and the return
// address and arguments (registers on RISC-V, stack words on x86).
func (r *Result) EntryTable() Table {
	t := Table{
		Title:  "Thread starts (first user entry per trapframe, fake return PC 0xffffffff)",
		Header: []string{"case", "arch", "cpu", "trapframe", "pc", "sp", "return", "arg1", "arg2", "arguments in"},
		Note: "trapframe: RISC-V: sscratch, the user address the trampoline finds it at; x86: kernel stack address of the iret frame " +
			"(the CPU-pushed end of the trapframe); at most 4 per case and arch",
	}
	for _, m := range r.Measured {
		starts := m.Stats.ThreadStarts()
		for _, e := range starts[:min(len(starts), threadStartsShown)] {
			where := "a0, a1 (ra = return)"
			if m.Arch == "x86" {
				where = "stack: [sp], [sp+4], [sp+8]"
			}
			t.Rows = append(t.Rows, []string{m.Case, m.Arch, fmt.Sprint(e.CPU), hex(e.Trapframe), hex(e.PC), hex(e.SP),
				hex(e.Ret), hex(e.Arg1), hex(e.Arg2), where})
		}
	}
	return t
}

// Tables are every table, in the order the outputs show them.
func (r *Result) Tables() []Table {
	return []Table{r.CaseTable(), r.MeasuredTable(), r.EntryTable()}
}

func hex(v uint64) string { return fmt.Sprintf("%#x", v) }

func count(n uint64) string { return fmt.Sprint(n) }

func secs(s float64) string { return fmt.Sprintf("%.3f", s) }

// atomics lists the atomic instructions by count, most used first.
func atomics(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// Summary is the last line of the text output.
func (r *Result) Summary() string {
	var parts []string
	for i, rep := range r.Reports {
		if rep != nil {
			parts = append(parts, fmt.Sprintf("%s %d/%d", r.Arches[i], rep.Score, rep.Possible))
		}
	}
	s := "Score: " + strings.Join(parts, ", ")
	if n := r.Differences(); n > 0 {
		s += fmt.Sprintf("; %d case(s) differ", n)
	} else {
		s += "; no differences"
	}
	return s
}

// WriteText writes both tables as aligned text, then the excerpts of
// every difference.
func (r *Result) WriteText(w io.Writer) error {
	for _, t := range r.Tables() {
		fmt.Fprintf(w, "%s\n", t.Title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.Header, "\t"))
		for _, row := range t.Rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
		fmt.Fprintf(w, "(%s)\n\n", t.Note)
	}
	r.writeDiffs(w, "", "")
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

// writeDiffs writes each differing case's console excerpts, each line
// prefixed with pre; fence wraps an excerpt (markdown code blocks).
func (r *Result) writeDiffs(w io.Writer, fence, heading string) {
	for _, row := range r.Rows {
		if !row.Differs {
			continue
		}
		fmt.Fprintf(w, "%sDifference: %s (%s)\n", heading, row.Case, row.Why)
		for i, c := range row.Cells {
			fmt.Fprintf(w, "%s %s: %s, run %s\n", bullet(fence), r.Arches[i], c.Verdict, c.Ending)
			if fence != "" {
				fmt.Fprintln(w, fence)
			}
			for _, line := range c.Excerpt {
				fmt.Fprintf(w, "    | %s\n", line)
			}
			if fence != "" {
				fmt.Fprintln(w, fence)
			}
		}
		fmt.Fprintln(w)
	}
}

func bullet(fence string) string {
	if fence != "" {
		return "-"
	}
	return " "
}

// WriteMarkdown writes both tables as GitHub-flavoured markdown.
func (r *Result) WriteMarkdown(w io.Writer) error {
	for _, t := range r.Tables() {
		fmt.Fprintf(w, "### %s\n\n", t.Title)
		fmt.Fprintf(w, "| %s |\n", strings.Join(mdEscape(t.Header), " | "))
		fmt.Fprintf(w, "|%s\n", strings.Repeat(" --- |", len(t.Header)))
		for _, row := range t.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(mdEscape(row), " | "))
		}
		fmt.Fprintf(w, "\n_%s_\n\n", t.Note)
	}
	r.writeDiffs(w, "```", "#### ")
	_, err := fmt.Fprintf(w, "**%s**\n", r.Summary())
	return err
}

func mdEscape(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			c = " "
		}
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// WriteJSON writes the whole result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
