// Command psa evaluates pod templates with the upstream Pod Security Admission library, at a given
// level ("restricted:latest" by default), as the API server's PodSecurity admission does.
//
// Input (stdin): a JSON array of {"name": ..., "metadata": <ObjectMeta>, "spec": <PodSpec>}.
// Output (stdout): a JSON array of {"name": ..., "allowed": bool, "forbidden": ["reason (detail)", ...]}.
// Unknown fields in a spec are an error: a misspelled field would otherwise be judged as absent.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type template struct {
	Name     string          `json:"name"`
	Metadata json.RawMessage `json:"metadata"`
	Spec     json.RawMessage `json:"spec"`
}

type verdict struct {
	Name      string   `json:"name"`
	Allowed   bool     `json:"allowed"`
	Forbidden []string `json:"forbidden"`
}

func strict(raw json.RawMessage, into any) error {
	if len(raw) == 0 {
		return nil
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	return decoder.Decode(into)
}

func run(in io.Reader, out io.Writer, level string) error {
	name, version, found := strings.Cut(level, ":")
	if !found {
		version = "latest"
	}
	parsedLevel, err := api.ParseLevel(name)
	if err != nil {
		return fmt.Errorf("level %q: %w", level, err)
	}
	parsedVersion, err := api.ParseVersion(version)
	if err != nil {
		return fmt.Errorf("level %q: %w", level, err)
	}
	lv := api.LevelVersion{Level: parsedLevel, Version: parsedVersion}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return err
	}
	var templates []template
	if err := json.NewDecoder(in).Decode(&templates); err != nil {
		return fmt.Errorf("input: %w", err)
	}
	verdicts := make([]verdict, 0, len(templates))
	for _, t := range templates {
		var meta metav1.ObjectMeta
		var spec corev1.PodSpec
		if err := strict(t.Metadata, &meta); err != nil {
			return fmt.Errorf("%s: metadata: %w", t.Name, err)
		}
		if err := strict(t.Spec, &spec); err != nil {
			return fmt.Errorf("%s: spec: %w", t.Name, err)
		}
		result := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &meta, &spec))
		forbidden := []string{}
		for i, reason := range result.ForbiddenReasons {
			if detail := result.ForbiddenDetails[i]; detail != "" {
				reason += " (" + detail + ")"
			}
			forbidden = append(forbidden, reason)
		}
		verdicts = append(verdicts, verdict{Name: t.Name, Allowed: result.Allowed, Forbidden: forbidden})
	}
	return json.NewEncoder(out).Encode(verdicts)
}

func main() {
	level := "restricted:latest"
	if len(os.Args) > 1 {
		level = os.Args[1]
	}
	if err := run(os.Stdin, os.Stdout, level); err != nil {
		fmt.Fprintln(os.Stderr, "psa:", err)
		os.Exit(2)
	}
}
