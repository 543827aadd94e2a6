"""Baseline: each tile's mean and spread of red, green and blue, logistic regression."""

import numpy as np
import pandas as pd
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def colour_stats(folder, ids):
    images = np.stack([np.asarray(Image.open(f"input/{folder}/{i}").convert("RGB")) for i in ids]) / 255
    return np.column_stack([images.mean(axis=(1, 2)), images.std(axis=(1, 2))])


train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/sample_submission.csv")
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
model.fit(colour_stats("train", train["id"]), train["has_cactus"])
test["has_cactus"] = model.predict_proba(colour_stats("test", test["id"]))[:, 1]
test.to_csv("submission.csv", index=False)
print(test["has_cactus"].describe())
