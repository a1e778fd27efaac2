from backend.cli.main import app

app(prog_name="automana")
