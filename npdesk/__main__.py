from npdesk.cli import app

app(prog_name="npdesk")
