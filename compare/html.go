package compare

import (
	"fmt"
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
{{range .R.Measured}}{{with .Stats.Timeline}}
<h3 class="timeline">Timeline: {{$.Case .}} on {{$.Arch .}}</h3>
<svg xmlns="http://www.w3.org/2000/svg" width="1060" height="{{$.Height .}}" role="img">
{{range $i, $c := .CPUs}}<text x="0" y="{{$.LaneY $i 14}}" font-size="12">cpu {{$i}}</text>
{{end}}{{range .Bars}}<rect x="{{$.BarX .}}" y="{{$.LaneY .CPU 0}}" width="{{.W}}" height="16" fill="{{.Color}}"><title>cpu {{.CPU}}: {{.What}}</title></rect>
{{end}}</svg>
<p class="note">guest time 0 to {{$.Seconds .End}} s; grey: kernel, light: idle, colours: user threads by trapframe{{if .Truncated}}; truncated{{end}}</p>
{{end}}{{end}}
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

// page is the template's data, with helpers for laying out timelines.
type page struct {
	R      *Result
	Tables []Table
	owner  map[*Timeline]Measured
}

// WriteHTML writes the comparison as one self-contained HTML page.
func (r *Result) WriteHTML(w io.Writer) error {
	p := page{R: r, Tables: r.Tables(), owner: make(map[*Timeline]Measured)}
	for _, m := range r.Measured {
		if m.Stats.Timeline != nil {
			p.owner[m.Stats.Timeline] = m
		}
	}
	return htmlPage.Execute(w, p)
}

func (p page) Case(t *Timeline) string     { return p.owner[t].Case }
func (p page) Arch(t *Timeline) string     { return p.owner[t].Arch }
func (p page) Height(t *Timeline) int      { return 20*len(t.CPUs) + 4 }
func (p page) LaneY(cpu, off int) int      { return 20*cpu + 2 + off }
func (p page) BarX(b Bar) int              { return 60 + b.X }
func (p page) Seconds(ticks uint64) string { return fmt.Sprintf("%.3f", float64(ticks)/Timebase) }
