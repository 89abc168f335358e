"""Group activities: gatherings and health talks, whom they invite, and who came."""
