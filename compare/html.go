package compare

import (
	"html/template"
	"io"
)

// htmlPage is a single self-contained page (no scripts, no external
// resources): the same tables as the text output, cell for cell, so what a
// browser shows can be checked against it.
var htmlPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>xv6emu compare {{.R.Lab}}: {{index .R.Arches 0}} vs {{index .R.Arches 1}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td:first-child { white-space: pre; } /* child cases are indented as in the text output */
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.differs td { background: #fde8e8; }
td.v-ok { color: #17622a; } td.v-FAIL, td.v-flaky { color: #a11; font-weight: bold; }
pre { background: #f7f7f7; padding: 0.5em; border: 1px solid #ddd; overflow-x: auto; }
p.note { color: #666; font-size: 90%; max-width: 60em; }
.diff { display: flex; gap: 1em; } .diff > div { flex: 1; min-width: 0; }
</style>
</head>
<body>
<h1>{{.R.Lab}}: {{index .R.Arches 0}} vs {{index .R.Arches 1}}</h1>
<p id="summary">{{.R.Summary}}</p>
{{range $ti, $t := .Tables}}
<h2>{{$t.Title}}</h2>
<table id="table{{$ti}}">
<thead><tr>{{range $t.Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range $t.Rows}}<tr{{if and (eq $ti 0) (ne (index . 7) "")}} class="differs"{{end}}>{{range $ci, $c := .}}<td{{if and (eq $ti 0) (or (eq $ci 1) (eq $ci 2))}} class="v-{{$c}}"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
<p class="note">{{$t.Note}}</p>
{{end}}
{{range .R.Rows}}{{if .Differs}}
<h3>Difference: {{.Case}} ({{.Why}})</h3>
<div class="diff">{{range $i, $c := .Cells}}
<div><h4>{{index $.R.Arches $i}}: {{$c.Verdict}}, run {{$c.Ending}}</h4>
<pre>{{range $c.Excerpt}}{{.}}
{{end}}</pre></div>{{end}}
</div>
{{end}}{{end}}
</body>
</html>
`))

// WriteHTML writes the comparison as one self-contained HTML page.
func (r *Result) WriteHTML(w io.Writer) error {
	return htmlPage.Execute(w, struct {
		R      *Result
		Tables []Table
	}{r, r.Tables()})
}
