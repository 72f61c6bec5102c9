// Package console is the Team Insights console that `collector serve`
// serves at /: server-rendered pages usable without JavaScript, in the
// shape of Miniflux's ui package. routes.go is the one route table; each
// page or action has its own small handler file; every POST passes the
// CSRF middleware; pages are html/template files embedded in the binary;
// charts are SVG drawn by package chart. Pages call the same teams service
// as the JSON API, so a role sees and does the same on both.
package console
