"""For a screenshot and boxes "x,y,w,h", print the image width, then per box
the share of non-white pixels (ink) and of coloured pixels (a series, not
grey text or grid). Used by tests/it/chromium.rs."""
import sys

from PIL import Image

img = Image.open(sys.argv[1]).convert("RGB")
print(img.width)
px = img.load()
for spec in sys.argv[2:]:
    x, y, w, h = (int(v) for v in spec.split(","))
    inked = coloured = total = 0
    for yy in range(y, min(y + h, img.height)):
        for xx in range(x, min(x + w, img.width)):
            r, g, b = px[xx, yy]
            total += 1
            if min(r, g, b) < 235:
                inked += 1
            if max(r, g, b) - min(r, g, b) > 60:
                coloured += 1
    total = max(total, 1)
    print(f"{inked / total:.5f} {coloured / total:.5f}")
