"""Baseline: an 8x8 colour thumbnail of each image, linear regression of the grade, rounded."""

import numpy as np
import pandas as pd
from PIL import Image
from sklearn.linear_model import Ridge


def thumbnails(folder, ids):
    images = [Image.open(f"input/{folder}/{i}.png").convert("RGB").resize((8, 8)) for i in ids]
    return np.stack([np.asarray(image, dtype=float).ravel() / 255 for image in images])


train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
model = Ridge(alpha=1.0).fit(thumbnails("train_images", train["id_code"]), train["diagnosis"])
grade = np.clip(np.rint(model.predict(thumbnails("test_images", test["id_code"]))), 0, 4).astype(int)
pd.DataFrame({"id_code": test["id_code"], "diagnosis": grade}).to_csv("submission.csv", index=False)
print("grade counts:", np.bincount(grade, minlength=5))
