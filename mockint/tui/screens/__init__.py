"""The app's screens; their layout lives in ../app.tcss."""
