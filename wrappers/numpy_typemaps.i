// SPDX-License-Identifier: MIT
/*
 * NumPy in and out of the plugin's flat std::vector arrays.
 * - const std::vector<double>& takes any array-like of numbers and copies it as contiguous float64.
 * - Output arguments named by %apply come back as flat NumPy arrays, appended to the return value.
 */
%{
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
%}
%init %{
    import_array();
%}

%typemap(typecheck, precedence=SWIG_TYPECHECK_DOUBLE_ARRAY) const std::vector<double>& {
    $1 = PySequence_Check($input) || PyArray_Check($input);
}
%typemap(in) const std::vector<double>& (std::vector<double> values) {
    PyArrayObject* array = (PyArrayObject*) PyArray_FROMANY($input, NPY_DOUBLE, 0, 0, NPY_ARRAY_IN_ARRAY);
    if (array == NULL)
        SWIG_fail;
    const double* data = (const double*) PyArray_DATA(array);
    values.assign(data, data + PyArray_SIZE(array));
    Py_DECREF(array);
    $1 = &values;
}
/* Inputs produce no output, even where they share a name with an output argument elsewhere. */
%typemap(argout) const std::vector<double>& ""

%define NUMPY_OUTPUT(CTYPE, NPYTYPE, NAME)
%typemap(in, numinputs=0) std::vector<CTYPE>& NAME (std::vector<CTYPE> values) {
    $1 = &values;
}
%typemap(argout) std::vector<CTYPE>& NAME {
    npy_intp size = $1->size();
    PyObject* array = PyArray_SimpleNew(1, &size, NPYTYPE);
    if (array == NULL)
        SWIG_fail;
    std::copy($1->begin(), $1->end(), (CTYPE*) PyArray_DATA((PyArrayObject*) array));
    %append_output(array);
}
%enddef
NUMPY_OUTPUT(double, NPY_DOUBLE, DOUBLE_OUTPUT)
NUMPY_OUTPUT(int, NPY_INT, INT_OUTPUT)

/* Vectors of doubles come back as Python lists of floats. */
%define DOUBLE_LIST_OUTPUT(TYPE, VALUES)
%typemap(out) TYPE {
    const std::vector<double>& values = VALUES;
    $result = PyList_New(values.size());
    for (size_t i = 0; i < values.size(); i++)
        PyList_SET_ITEM($result, i, PyFloat_FromDouble(values[i]));
}
%enddef
DOUBLE_LIST_OUTPUT(std::vector<double>, $1)
DOUBLE_LIST_OUTPUT(const std::vector<double>&, *$1)
