// SPDX-License-Identifier: MIT
#include "CommonArrays.h"
#include <algorithm>

using namespace TSFPlugin;

void MixedArrays::upload(OpenMM::ArrayInterface& array, const double* values, size_t count, int firstElement) {
    if (count == 0)
        return;
    const int perElement = array.getElementSize() / scalarSize();
    if (mixedIsDouble)
        array.uploadSubArray(values, firstElement, count / perElement);
    else {
        floats.assign(values, values + count);
        array.uploadSubArray(floats.data(), firstElement, count / perElement);
    }
}

void MixedArrays::download(OpenMM::ArrayInterface& array, double* values, size_t count) {
    const int perElement = array.getElementSize() / scalarSize();
    if (mixedIsDouble) {
        doubles.resize((size_t) array.getSize() * perElement);
        array.download(doubles.data());
        std::copy(doubles.begin(), doubles.begin() + count, values);
    }
    else {
        floats.resize((size_t) array.getSize() * perElement);
        array.download(floats.data());
        std::copy(floats.begin(), floats.begin() + count, values);
    }
}

void MixedArrays::uploadPositions(OpenMM::ArrayInterface& array, const double* positions, size_t count, int firstElement) {
    std::vector<double> packed(4 * count, 0.0);
    for (size_t i = 0; i < count; i++)
        std::copy(positions + 3 * i, positions + 3 * i + 3, packed.begin() + 4 * i);
    upload(array, packed.data(), packed.size(), firstElement);
}

void MixedArrays::downloadPositions(OpenMM::ArrayInterface& array, double* positions, size_t count, int firstElement) {
    std::vector<double> packed(4 * ((size_t) firstElement + count));
    download(array, packed.data(), packed.size());
    for (size_t i = 0; i < count; i++)
        std::copy(packed.begin() + 4 * (firstElement + i), packed.begin() + 4 * (firstElement + i) + 3, positions + 3 * i);
}
