// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/StepSizeAdapter.h"
#include <cmath>

using namespace TSFPlugin;

void StepSizeAdapter::reset(const std::vector<double>& sizes) {
    stepSizes = sizes;
}

double StepSizeAdapter::get(int replica) const {
    return stepSizes[replica];
}

void StepSizeAdapter::set(int replica, double stepSize) {
    stepSizes[replica] = stepSize;
}

void StepSizeAdapter::adapt(int replica, double acceptance, long long step, int adaptationSteps, double targetAcceptance) {
    if (step >= adaptationSteps)
        return;
    const double change = (acceptance - targetAcceptance) / std::sqrt(1.0 + step);
    stepSizes[replica] *= std::exp(change);
}
