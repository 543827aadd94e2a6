"""Baseline: predict each clean pixel from its noisy 3x3 neighbourhood with gradient boosting."""

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

SIDE = 8
pixels = [f"p{i}" for i in range(SIDE * SIDE)]
noisy = pd.read_csv("input/train_noisy.csv")
clean = pd.read_csv("input/train_clean.csv").set_index("image_id").loc[noisy["image_id"]]
test = pd.read_csv("input/test_noisy.csv")


def patches(frame):
    images = frame[pixels].to_numpy().reshape(-1, SIDE, SIDE)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="edge")
    cols = [padded[:, dy : dy + SIDE, dx : dx + SIDE].reshape(-1) for dy in range(3) for dx in range(3)]
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    return np.column_stack(cols + [np.tile(yy.ravel(), len(images)), np.tile(xx.ravel(), len(images))])


model = HistGradientBoostingRegressor(max_iter=60, learning_rate=0.05, random_state=0)
model.fit(patches(noisy), clean[pixels].to_numpy().ravel())
values = np.clip(model.predict(patches(test)), 0, 1)
ids = [f"{img}_{r}_{c}" for img in test["image_id"] for r in range(1, SIDE + 1) for c in range(1, SIDE + 1)]
pd.DataFrame({"id": ids, "value": values}).to_csv("submission.csv", index=False)
print("pixels written:", len(ids))
