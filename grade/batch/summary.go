package batch

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// write saves summary.json, summary.csv and, with html, index.html.
func (s *Summary) write(out string, html bool) error {
	if err := writeJSON(filepath.Join(out, SummaryJSON), s); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if err := writeFile(filepath.Join(out, SummaryCSV), s.WriteCSV); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if html {
		if err := writeFile(filepath.Join(out, SummaryHTML), s.WriteHTML); err != nil {
			return fmt.Errorf("batch: %w", err)
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// testColumns lists every test name in the results, in the order they
// first appear (lab order; submissions graded with another lab version
// add theirs after).
func (s *Summary) testColumns() []string {
	var cols []string
	seen := make(map[string]bool)
	for _, r := range s.Results {
		for _, t := range r.Tests {
			if !seen[t.Name] {
				seen[t.Name] = true
				cols = append(cols, t.Name)
			}
		}
	}
	return cols
}

// WriteCSV writes one row per submission: its verdict and score, the
// points of each test (empty for a test its lab version does not have),
// the times, how each machine run ended, and why it lost points.
func (s *Summary) WriteCSV(w io.Writer) error {
	cols := s.testColumns()
	cw := csv.NewWriter(w)
	head := []string{"submission", "lab", "verdict", "score", "possible"}
	head = append(head, cols...)
	head = append(head, "extra_credit", "wall_seconds", "build_seconds", "runs", "detail")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range s.Results {
		row := []string{r.Submission, r.Lab, string(r.Verdict), strconv.Itoa(r.Score), strconv.Itoa(r.Possible)}
		points := make(map[string]int)
		for _, t := range r.Tests {
			points[t.Name] = t.Score + 1 // 0 means absent
		}
		for _, c := range cols {
			cell := ""
			if p := points[c]; p > 0 {
				cell = strconv.Itoa(p - 1)
			}
			row = append(row, cell)
		}
		row = append(row, extraCredit(r), fmt.Sprintf("%.1f", r.WallSeconds), fmt.Sprintf("%.1f", r.BuildSeconds), runEndings(r), r.Detail)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func extraCredit(r Result) string {
	var parts []string
	for _, g := range r.ExtraCredit {
		parts = append(parts, fmt.Sprintf("%s %d/%d", g.Name, g.Score, g.Possible))
	}
	return strings.Join(parts, "; ")
}

// runEndings is e.g. "running threadtest: deadlock; usertests: finished".
func runEndings(r Result) string {
	var parts []string
	for _, e := range r.Runs {
		parts = append(parts, e.Test+": "+e.Ending)
	}
	return strings.Join(parts, "; ")
}

// htmlRow is one line of the overview table.
type htmlRow struct {
	Rank       int
	Result     Result
	Extra      string
	Runs       string
	Transcript string // link, relative to index.html
	Report     string
	BuildLog   string
	Full       bool
}

// WriteHTML writes a one-page overview: a table sorted by score (best
// first) with links to each submission's transcript, report and build log.
func (s *Summary) WriteHTML(w io.Writer) error {
	var rows []htmlRow
	for i, r := range sortedByScore(s.Results) {
		base := SubmissionsDir + "/" + url.PathEscape(r.ID) + "/"
		row := htmlRow{Rank: i + 1, Result: r, Extra: extraCredit(r), Runs: runEndings(r),
			Transcript: base + TranscriptFile, Full: r.Verdict == FullMarks}
		if r.has(ReportFile) {
			row.Report = base + ReportFile
		}
		if r.has(BuildLogFile) {
			row.BuildLog = base + BuildLogFile
		}
		rows = append(rows, row)
	}
	return overview.Execute(w, struct {
		*Summary
		Rows []htmlRow
	}{s, rows})
}

var overview = template.Must(template.New("overview").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Lab}}: {{.Graded}} of {{.Submissions}} submissions graded</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.full td.score { color: #060; font-weight: bold; }
tr.lost td.score { color: #a00; }
td.detail { font-size: 0.85em; max-width: 40em; }
</style>
</head>
<body>
<h1>{{.Lab}}</h1>
<p>{{.Graded}} of {{.Submissions}} submissions graded in {{printf "%.0f" .Elapsed}} s, started {{.Started}}{{if .Interrupted}} (interrupted: run again with --resume){{end}}.</p>
<table>
<tr><th>#</th><th>submission</th><th>score</th><th>verdict</th><th>extra credit</th><th>wall</th><th>runs</th><th>details</th><th>files</th></tr>
{{range .Rows}}<tr class="{{if .Full}}full{{else}}lost{{end}}">
<td>{{.Rank}}</td>
<td>{{.Result.Submission}}</td>
<td class="score">{{.Result.Score}}/{{.Result.Possible}}</td>
<td>{{.Result.Verdict}}</td>
<td>{{.Extra}}</td>
<td>{{printf "%.1f" .Result.WallSeconds}} s</td>
<td>{{.Runs}}</td>
<td class="detail">{{.Result.Detail}}</td>
<td><a href="{{.Transcript}}">transcript</a>{{if .Report}} <a href="{{.Report}}">report</a>{{end}}{{if .BuildLog}} <a href="{{.BuildLog}}">build log</a>{{end}}</td>
</tr>
{{end}}</table>
</body>
</html>
`))
