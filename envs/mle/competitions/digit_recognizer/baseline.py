"""Baseline: standardized pixels, RBF support vector machine."""
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
pixels = [c for c in test.columns if c.startswith("pixel")]
model = make_pipeline(StandardScaler(), SVC(C=5.0)).fit(train[pixels], train["label"])
pd.DataFrame({"image_id": test["image_id"], "label": model.predict(test[pixels])}).to_csv("submission.csv", index=False)
print("train accuracy:", model.score(train[pixels], train["label"]))
