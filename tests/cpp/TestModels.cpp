// SPDX-License-Identifier: MIT
/* The one test translation unit that includes libtorch. */
#include "TestModels.h"
#include <torch/script.h>
#include <sstream>

using namespace TSFTest;

namespace {

torch::jit::Module moduleWith(const std::string& name, int n, int nAux, double trainingTemperature, bool withTemperature = true) {
    torch::jit::Module module(name);
    module.register_attribute("n_dims", c10::IntType::get(), n);
    module.register_attribute("n_aux", c10::IntType::get(), nAux);
    if (withTemperature)
        module.register_attribute("training_temperature", c10::FloatType::get(), trainingTemperature);
    return module;
}

torch::Tensor tensorOf(const std::vector<double>& values) {
    return torch::tensor(values, torch::kFloat64);
}

std::string bytesOf(torch::jit::Module& module) {
    std::stringstream stream;
    module.save(stream);
    return stream.str();
}

} // namespace

std::string TSFTest::miniatureTSF(const std::vector<double>& mean, const std::vector<double>& logScale, double trainingTemperature) {
    const int n = mean.size();
    torch::jit::Module module = moduleWith("MiniatureTSF", n, n, trainingTemperature);
    module.register_buffer("mean", tensorOf(mean));
    module.register_buffer("log_scale", tensorOf(logScale));
    module.register_attribute("shear", c10::FloatType::get(), 0.3);
    module.define(R"(
def forward(self, z, q):
    logdet = z.new_zeros([z.size(0)]) + self.log_scale.sum()
    return self.mean + torch.exp(self.log_scale) * z, q + self.shear * torch.tanh(z), logdet

def inverse(self, x, p):
    z = (x - self.mean) * torch.exp(-self.log_scale)
    logdet = x.new_zeros([x.size(0)]) - self.log_scale.sum()
    return z, p - self.shear * torch.tanh(z), logdet
)");
    return bytesOf(module);
}

std::string TSFTest::conditionedSinhFlow(const std::vector<double>& mean, const std::vector<double>& scale, double trainingTemperature) {
    torch::jit::Module module = moduleWith("ConditionedSinhFlow", mean.size(), 0, trainingTemperature);
    module.register_attribute("temperature_conditioned", c10::BoolType::get(), true);
    module.register_buffer("mean", tensorOf(mean));
    module.register_buffer("scale", tensorOf(scale));
    module.define(R"(
def widths(self, temperature):
    return self.scale * torch.sqrt(temperature / self.training_temperature).unsqueeze(1)

def forward(self, z, q, temperature):
    s = self.widths(temperature)
    logdet = (torch.log(s) + torch.log(torch.cosh(z))).sum(dim=1)
    return self.mean + s * torch.sinh(z), q, logdet

def inverse(self, x, p, temperature):
    s = self.widths(temperature)
    z = torch.asinh((x - self.mean) / s)
    logdet = -(torch.log(s) + torch.log(torch.cosh(z))).sum(dim=1)
    return z, p, logdet
)");
    return bytesOf(module);
}

std::string TSFTest::sinhFlow(const std::vector<double>& mean, const std::vector<double>& scale, double trainingTemperature) {
    torch::jit::Module module = moduleWith("SinhFlow", mean.size(), 0, trainingTemperature);
    module.register_buffer("mean", tensorOf(mean));
    module.register_buffer("scale", tensorOf(scale));
    module.define(R"(
def forward(self, z, q):
    logdet = (torch.log(self.scale) + torch.log(torch.cosh(z))).sum(dim=1)
    return self.mean + self.scale * torch.sinh(z), q, logdet

def inverse(self, x, p):
    z = torch.asinh((x - self.mean) / self.scale)
    logdet = -(torch.log(self.scale) + torch.log(torch.cosh(z))).sum(dim=1)
    return z, p, logdet
)");
    return bytesOf(module);
}

std::string TSFTest::brokenFlow(BrokenModel kind, int n) {
    torch::jit::Module module = moduleWith("BrokenFlow", n, 0, 300.0, kind != BrokenModel::NoTrainingTemperature);
    const std::string forward = (kind == BrokenModel::WrongLogDetShape)
            ? "def forward(self, z, q):\n    return z, q, z.new_zeros([z.size(0), 1])\n"
            : (kind == BrokenModel::WrongMomentumShape)
            ? "def forward(self, z, q):\n    return z, z.new_zeros([z.size(0), 2]), z.new_zeros([z.size(0)])\n"
            : (kind == BrokenModel::FailsInForward)
            ? "def forward(self, z, q):\n    return z + z.new_zeros([z.size(0), z.size(1) + 1]), q, z.new_zeros([z.size(0)])\n"
            : "def forward(self, z, q):\n    return z, q, z.new_zeros([z.size(0)])\n";
    const std::string inverse = "def inverse(self, x, p):\n    return x, p, x.new_zeros([x.size(0)])\n";
    module.define(kind == BrokenModel::NoInverse ? forward : forward + "\n" + inverse);
    return bytesOf(module);
}
