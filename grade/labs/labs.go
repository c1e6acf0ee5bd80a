// Package labs defines the labs xv6emu grades: which commands each test
// runs, what its console must show, and how many points it is worth. A lab
// may come in several versions (the course changed it over the years);
// Choose picks the one a submission was written for.
package labs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xv6emu/xv6emu/grade"
)

// All returns every lab at its default version, in the order --list shows
// them. Each call builds fresh values, so callers may not affect one
// another.
func All() []*grade.Lab {
	return []*grade.Lab{Kthread(), Threads()}
}

// Find returns the lab called name, at its default version.
func Find(name string) (*grade.Lab, error) {
	var names []string
	for _, l := range All() {
		if l.Name == name {
			return l, nil
		}
		names = append(names, l.Name)
	}
	return nil, fmt.Errorf("no lab %q (labs: %s)", name, strings.Join(names, ", "))
}

// Versions lists the versions of lab name, the default first; nil for a
// lab that has only one.
func Versions(name string) []string {
	if name != "kthread" {
		return nil
	}
	out := []string{KthreadDefault}
	var rest []string
	for v := range kthreadVersions {
		if v != KthreadDefault {
			rest = append(rest, v)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Version returns lab name at version spec (see --lab-version); "" is the
// default version.
func Version(name, spec string) (*grade.Lab, error) {
	if spec == "" {
		return Find(name)
	}
	if Versions(name) == nil {
		if _, err := Find(name); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("lab %s has only one version", name)
	}
	return kthreadVersion(spec)
}
