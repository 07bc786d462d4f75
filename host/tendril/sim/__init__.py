"""Simulated worlds and boards: pure models fed by a virtual clock."""
