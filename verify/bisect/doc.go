// Package bisect is the pinpoint dispute game (DESIGN.md §1.2 step 6).
package bisect
