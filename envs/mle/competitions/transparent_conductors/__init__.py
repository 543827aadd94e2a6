"""Tabular regression with two targets (mean column-wise RMSLE): formation energy and bandgap of oxides.

Analogue of MLE-bench lite's nomad2018-predict-transparent-conductors.
Generator (seeded): 3,000 (Al_x Ga_y In_z)2 O3 crystals. Each has one of six
space groups, a cell of 10-80 atoms and a cation mix drawn on that cell's
grid (x + y + z = 1). The cell's volume follows the ions' sizes (Vegard's law)
with a per-crystal strain; its three lattice vectors and angles follow the
space group's shape. The bandgap interpolates the three oxides' gaps with
bowing terms, a space-group offset and a strain term; the formation energy is
a mixing energy (cation-pair terms that depend on the space group, a strain
penalty) kept positive. Noise the inputs cannot explain (the atoms' exact
arrangement in the real task) keeps the top of the board above 0.

A first submission models the inputs as given (space group, atom count, cation fractions, lattice vectors
and angles). The engineered features (the strong tier) add the physics the top kernels used: the cell
volume and volume per atom, the cation-pair products (bowing), the volume Vegard's law expects from the mix
and the strain against it, the space group one-hot.

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from envs.mle import population as pop
from envs.mle.builtin import BuiltinSpec, Features, columns_answers, tabular_public
from envs.mle.competition import CompetitionConfig

N = 3000
TARGETS = ("formation_energy_ev_natom", "bandgap_energy_ev")
#: space group -> (share of crystals, cell sizes in atoms, lattice vector ratios, angles in degrees)
GROUPS = {
    12: (0.17, (20, 40, 80), (3.0, 0.75, 1.4), (90.0, 104.0, 90.0)),
    33: (0.18, (40, 80), (1.0, 1.75, 1.9), (90.0, 90.0, 90.0)),
    167: (0.16, (10, 30), (1.0, 1.0, 2.7), (90.0, 90.0, 120.0)),
    194: (0.2, (10, 20, 30, 40, 60, 80), (1.0, 1.0, 2.3), (90.0, 90.0, 120.0)),
    206: (0.19, (40, 80), (1.0, 1.0, 1.0), (90.0, 90.0, 90.0)),
    227: (0.1, (10, 40), (1.0, 1.0, 1.0), (60.0, 60.0, 60.0)),
}
#: per space group: formation energy base, bandgap offset, how strongly Al-In mixing costs energy
GROUP_ENERGY = {12: (0.06, 0.1, 1.0), 33: (0.12, -0.15, 1.3), 167: (0.16, 0.2, 0.7), 194: (0.1, 0.0, 1.1),
                206: (0.05, -0.05, 0.9), 227: (0.2, -0.3, 1.6)}  # fmt: skip
VOLUME_PER_ATOM = np.array([8.6, 9.9, 12.4])  # Al2O3, Ga2O3, In2O3 (cubic angstroms)
GAP = np.array([5.4, 3.4, 1.1])  # eV


def _cell_volume_factor(angles: np.ndarray) -> np.ndarray:
    cos = np.cos(np.radians(angles))
    a, b, g = cos[:, 0], cos[:, 1], cos[:, 2]
    return np.sqrt(1 - a**2 - b**2 - g**2 + 2 * a * b * g)


def generate(rng: np.random.Generator) -> pd.DataFrame:
    groups = np.array(list(GROUPS))
    group = rng.choice(groups, N, p=[GROUPS[g][0] for g in groups])
    atoms = np.array([rng.choice(GROUPS[g][1]) for g in group])
    cations = atoms * 2 // 5
    mix = rng.dirichlet([0.6, 0.6, 0.6], N)
    counts = np.array([rng.multinomial(c, p) for c, p in zip(cations, mix, strict=True)])
    frac = counts / cations[:, None]
    strain = rng.normal(0, 0.02, N)
    volume = atoms * (frac @ VOLUME_PER_ATOM) * (1 + strain)
    ratios = np.array([GROUPS[g][2] for g in group]) * rng.normal(1, 0.01, (N, 3))
    angles = np.array([GROUPS[g][3] for g in group]) + rng.normal(0, 0.05, (N, 3))
    scale = np.cbrt(volume / (ratios.prod(axis=1) * _cell_volume_factor(angles)))
    vectors = ratios * scale[:, None]
    base, offset, al_in = (np.array([GROUP_ENERGY[g][k] for g in group]) for k in range(3))
    x, y, z = frac.T
    gap = frac @ GAP - 1.3 * x * y - 2.8 * x * z - 1.4 * y * z + offset - 6 * strain + 0.35 * x * (group == 33)
    gap = np.clip(gap + rng.normal(0, 0.12, N), 0.0, None)
    raw = base + 0.55 * al_in * x * z + 0.15 * x * y + 0.25 * y * z - 0.1 * z * (atoms <= 20) + 30 * strain**2
    raw = raw + 0.04 * np.sin(6 * x) + rng.normal(0, 0.025, N)
    energy = np.log1p(np.exp(25 * raw)) / 25  # a soft floor at 0: formation energies are not negative
    frame = pd.DataFrame(
        {
            "id": rng.permutation(N) + 1,
            "spacegroup": group,
            "number_of_total_atoms": atoms.astype(float),
            "percent_atom_al": x.round(4),
            "percent_atom_ga": y.round(4),
            "percent_atom_in": z.round(4),
            "lattice_vector_1_ang": vectors[:, 0].round(4),
            "lattice_vector_2_ang": vectors[:, 1].round(4),
            "lattice_vector_3_ang": vectors[:, 2].round(4),
            "lattice_angle_alpha_degree": angles[:, 0].round(4),
            "lattice_angle_beta_degree": angles[:, 1].round(4),
            "lattice_angle_gamma_degree": angles[:, 2].round(4),
            TARGETS[0]: energy.round(4),
            TARGETS[1]: gap.round(4),
        }
    )
    return frame


def crystal_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """What a first submission feeds a model: the inputs as given (the space group as its number)."""
    return frame.drop(columns=["id", *[t for t in TARGETS if t in frame.columns]]).astype(float)


def crystal_features(frame: pd.DataFrame) -> pd.DataFrame:
    """What a careful Kaggler adds: the cell's volume and volume per atom, the cation pairs, the volume Vegard's law
    expects from the mix and the strain against it, the space group one-hot."""
    out = crystal_columns(frame)
    angles = out[["lattice_angle_alpha_degree", "lattice_angle_beta_degree", "lattice_angle_gamma_degree"]]
    vectors = out[["lattice_vector_1_ang", "lattice_vector_2_ang", "lattice_vector_3_ang"]].prod(axis=1)
    out["volume"] = vectors * _cell_volume_factor(angles.to_numpy())
    out["volume_per_atom"] = out["volume"] / out["number_of_total_atoms"]
    x, y, z = (out[f"percent_atom_{e}"] for e in ("al", "ga", "in"))
    out["al_ga"], out["al_in"], out["ga_in"] = x * y, x * z, y * z
    out["vegard_volume"] = np.column_stack([x, y, z]) @ VOLUME_PER_ATOM
    out["strain"] = out["volume_per_atom"] / out["vegard_volume"] - 1
    for group in GROUPS:
        out[f"spacegroup_{group}"] = (out["spacegroup"] == group).astype(float)
    return out


def _table(public: Path, columns: Callable[[pd.DataFrame], pd.DataFrame]) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    return Features(
        columns(train).to_numpy(float),
        train[list(TARGETS)].to_numpy(),
        columns(test).to_numpy(float),
        test["id"].to_numpy(),
        TARGETS,
    )


def features(public: Path) -> Features:
    return _table(public, crystal_columns)


def engineered_features(public: Path) -> Features:
    return _table(public, crystal_features)


def _candidates() -> list[pop.Candidate]:
    return pop.population(SPEC)


def _solve(candidate: pop.Candidate, public: Path) -> pd.DataFrame:
    """The shared regression population, one model per target (it predicts one column), fitted on log1p; the
    strong tier on the engineered features, the others on a first submission's."""
    data = SPEC.strong_features(public) if candidate.tier == "strong" else features(public)
    columns = [
        pop.predict(SPEC, candidate, dataclasses.replace(data, y_train=data.y_train[:, k], target_columns=(target,)))
        for k, target in enumerate(TARGETS)
    ]
    return pop.to_submission(SPEC, data, np.hstack(columns)).astype(str)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="transparent-conductors",
        name="Transparent conductors: formation energy and bandgap",
        category="tabular-regression",
        metric="rmsle",
        lower_is_better=True,
        id_column="id",
        difficulty=2,
    ),
    seed=1802,
    generate=generate,
    write_public=tabular_public(list(TARGETS), "id", 0.0),
    answers=columns_answers(["id", *TARGETS]),
    kind="regression",
    features=features,
    engineered_features=engineered_features,
    test_fraction=0.2,
    log_target=True,
    custom_population=(_candidates, _solve),
    teams=883,  # teams of the Kaggle competition
)
