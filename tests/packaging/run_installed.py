# SPDX-License-Identifier: MIT
"""Runs a few TSF steps and a miniature `fit` through an installed openmmtsf wheel (scripts/check-wheel.sh runs it
outside the tree).

Usage: run_installed.py PDB MODEL
"""
import sys
from pathlib import Path

import numpy as np
import openmm
from openmm import app

import openmmtsf


def main(pdb_path: str, model_path: str) -> None:
    package_dir = Path(openmmtsf.__file__).parent
    if "site-packages" not in str(package_dir):
        raise SystemExit(f"openmmtsf was imported from {package_dir}, not from an installed wheel")
    platforms = [openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())]
    if len(platforms) != len(set(platforms)):
        raise SystemExit(f"a platform is registered twice: {platforms}")
    pdb = app.PDBFile(pdb_path)
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    zmatrix = openmmtsf.internal_coordinates_from_topology(pdb.topology, system)
    system.addForce(openmmtsf.TSFForce(model_path, zmatrix))
    integrator = openmmtsf.TSFIntegrator(openmmtsf.TSFIntegrator.geometricTemperatures(300, 600, 4))
    integrator.setRandomNumberSeed(1)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("CPU"))
    context.setPositions(pdb.positions)
    integrator.step(20)
    energy = context.getState(getEnergy=True).getPotentialEnergy()
    attempted = integrator.getStatistics()["attempted"].sum()
    if not np.isfinite(energy._value) or attempted != 20 * 4:
        raise SystemExit(f"after 20 TSF steps of 4 replicas: energy {energy}, {attempted} moves attempted")
    print(f"installed openmmtsf {openmmtsf.__version__} from {package_dir}: 20 steps of 4 replicas on CPU, "
          f"E = {energy}; platforms {platforms}")
    check_fit(pdb_path)


def check_fit(pdb_path: str) -> None:
    """A fit with every stage shrunk to a few steps (about 30 s): every stage's module is installed and runs."""
    from openmmtsf.fit import FitConfig, fit
    config = FitConfig(budget_minutes=None, budget_energies=10 ** 8, seed_picoseconds=10.0, ml_iterations=20,
                       sampler_steps=200, retrain_iterations=10, refine_iterations=10, measure_samples=200,
                       measure_bootstrap=10, measure_prior_steps=20, max_rounds=1)
    model = fit(openmmtsf.load_molecule(pdb_path), Path("fit") / "model.pt", config)
    report = model.with_name(model.name + ".md").read_text()
    if "| 1 |" not in report:
        raise SystemExit(f"the miniature fit's report has no round 1:\n{report}")
    print(f"a miniature fit wrote {model} and its report")


if __name__ == "__main__":
    main(*sys.argv[1:])
