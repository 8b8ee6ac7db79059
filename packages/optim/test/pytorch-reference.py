# Produces test/pytorch-reference.ts: `/usr/bin/python3 test/pytorch-reference.py` (PyTorch 1.13, python3-torch),
# then paste the JSON it prints into the PYTORCH_TRAJECTORIES table. Never run by the tests.
import json, torch
torch.set_default_dtype(torch.float64)
W0 = [1.5, -2.0, 0.5, 3.0]
C = [2.5, 1.0, -1.5, 0.75]
STEPS = 6
configs = {
 'SGD': [
  ('plain', dict(lr=0.1)),
  ('momentum', dict(lr=0.05, momentum=0.9)),
  ('dampening', dict(lr=0.05, momentum=0.9, dampening=0.5)),
  ('nesterov', dict(lr=0.05, momentum=0.9, nesterov=True)),
  ('weightDecay', dict(lr=0.1, weight_decay=0.1)),
  ('momentum+weightDecay+nesterov', dict(lr=0.05, momentum=0.8, weight_decay=0.2, nesterov=True)),
  ('maximize', dict(lr=0.05, momentum=0.5, maximize=True)),
 ],
 'Adam': [
  ('defaults', dict(lr=0.1)),
  ('betas', dict(lr=0.1, betas=(0.8, 0.99))),
  ('weightDecay', dict(lr=0.1, weight_decay=0.1)),
  ('amsgrad', dict(lr=0.3, betas=(0.9, 0.6), amsgrad=True)),
  ('amsgrad+weightDecay+eps', dict(lr=0.3, betas=(0.9, 0.6), amsgrad=True, weight_decay=0.2, eps=1e-3)),
  ('maximize', dict(lr=0.1, maximize=True)),
 ],
 'AdamW': [
  ('defaults', dict(lr=0.1)),
  ('weightDecay', dict(lr=0.1, weight_decay=0.3)),
  ('amsgrad', dict(lr=0.3, betas=(0.9, 0.6), amsgrad=True, weight_decay=0.1)),
 ],
 'RMSprop': [
  ('defaults', dict(lr=0.01)),
  ('alpha', dict(lr=0.05, alpha=0.9)),
  ('momentum', dict(lr=0.01, momentum=0.9)),
  ('centered', dict(lr=0.01, centered=True)),
  ('centered+momentum+weightDecay', dict(lr=0.01, alpha=0.8, centered=True, momentum=0.5, weight_decay=0.1, eps=1e-4)),
  ('maximize', dict(lr=0.01, maximize=True)),
 ],
 'Adagrad': [
  ('defaults', dict(lr=0.1)),
  ('lrDecay', dict(lr=0.5, lr_decay=0.1)),
  ('initialAccumulatorValue', dict(lr=0.5, initial_accumulator_value=0.5)),
  ('weightDecay+eps', dict(lr=0.5, weight_decay=0.1, eps=1e-2)),
  ('maximize', dict(lr=0.1, maximize=True)),
 ],
}
out = {}
for name, cases in configs.items():
  cls = getattr(torch.optim, name)
  for label, opts in cases:
    w = torch.tensor(W0, requires_grad=True)
    c = torch.tensor(C)
    opt = cls([w], **opts)
    traj = []
    for _ in range(STEPS):
      opt.zero_grad()
      ((w - c) ** 2).sum().backward()
      opt.step()
      traj.append(w.detach().tolist())
    out[f'{name}/{label}'] = traj
print(json.dumps(out))
