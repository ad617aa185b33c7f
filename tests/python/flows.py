# SPDX-License-Identifier: MIT
"""Small TorchScript flows that honour the model contract, for tests."""
import torch


class AffineFlow(torch.nn.Module):
    """x = mean + scale * z, p = q: a constant-Jacobian flow (float64 buffers)."""

    def __init__(self, mean, scale, training_temperature: float, n_aux: int = 0):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float64))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float64))
        self.n_dims = int(self.mean.shape[0])
        self.n_aux = n_aux
        self.training_temperature = float(training_temperature)

    def forward(self, z: torch.Tensor, q: torch.Tensor):
        logdet = torch.log(self.scale).sum().expand(z.shape[0])
        return self.mean + self.scale * z, q, logdet

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor):
        logdet = -torch.log(self.scale).sum().expand(x.shape[0])
        return (x - self.mean) / self.scale, p, logdet


def affine_flow_for(definition, ics, training_temperature: float = 300.0, n_aux: int = 0) -> torch.jit.ScriptModule:
    """A scripted AffineFlow centred on one IC vector, with generic widths for bonds, angles and torsions."""
    scale = torch.empty(len(ics), dtype=torch.float64)
    bonds, angles = definition.getNumBonds(), definition.getNumAngles()
    scale[:bonds] = 0.004
    scale[bonds:bonds + angles] = 0.05
    scale[bonds + angles:] = 0.2
    return torch.jit.script(AffineFlow(ics, scale, training_temperature, n_aux))
