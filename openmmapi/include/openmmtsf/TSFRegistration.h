#ifndef OPENMM_TSF_REGISTRATION_H_
#define OPENMM_TSF_REGISTRATION_H_

namespace TSFPlugin {

/**
 * Register the TSF kernels with every ReferencePlatform loaded so far (Reference, and CPU once OpenMM's
 * plugins are loaded). Defined in the OpenMMTSFReference library. Loading that library as an OpenMM plugin
 * does the same; call this when the library is linked directly, after Platform::loadPluginsFromDirectory().
 */
void registerTSFReferenceKernelFactories();

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REGISTRATION_H_*/
