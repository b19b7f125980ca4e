"""Signed evidence: detached signatures over reports, and their check against the inputs."""
