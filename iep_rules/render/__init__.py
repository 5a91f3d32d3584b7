"""Output formats: a report (or an audit) written as text, JSON, Markdown, HTML, SARIF or CSV."""
