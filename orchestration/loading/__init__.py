"""Loading landing-folder files into the warehouse's ``raw`` schema."""
